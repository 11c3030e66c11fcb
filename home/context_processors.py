from guides.elder import is_elder


def elder_mode(request):
    """``elder_mode`` for base.html (``<html class="elder">``, the switch's wording, no search pop-up)."""
    return {"elder_mode": is_elder(request)}
