from django.shortcuts import render

from cms.search import MAX_QUERY_LENGTH, active_locale, search_page


def search(request):
    """The site search results page (also the target of the search box on every page)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page, results = search_page(query, page_number=request.GET.get("page"), locale=active_locale(), request=request)
    context = {"query": query, "results": results, "page_obj": page, "count": page.paginator.count}
    return render(request, "cms/search.html", context)
