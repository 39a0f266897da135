def emergency_banner(request):
    """The active emergency banners, for the banner above the header on every page."""
    return {}
