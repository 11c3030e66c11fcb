// Wagtail 8.0.1 names the editing-session avatar button only in a hidden tooltip (axe: button-name). The session
// list is re-rendered on every ping, so each new button gets its name from that tooltip's text.
(() => {
  const name = () => document.querySelectorAll(".w-editing-sessions__session:not([aria-label])").forEach((button) => {
    const popup = button.querySelector(".w-editing-sessions__popup");
    if (popup) button.setAttribute("aria-label", popup.textContent.replace(/\s+/g, " ").trim());
  });
  new MutationObserver(name).observe(document.documentElement, { childList: true, subtree: true });
  name();
})();
