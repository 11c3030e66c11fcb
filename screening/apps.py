from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "一次告知"

    def ready(self):
        from guides import extensions

        from .engine import lint_spec
        from .views import checklist, checklist_pdf, wizard

        # The engine's lint is the one authority on conditions and references, for the catalogue and the editor.
        extensions.spec_checks.register(lint_spec)
        extensions.theme_route("screening/", "screening_wizard")(wizard)
        extensions.theme_route("checklist/", "screening_checklist")(checklist)
        extensions.theme_route("checklist/pdf/", "screening_checklist_pdf")(checklist_pdf)
