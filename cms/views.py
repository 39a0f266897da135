from django.core.paginator import Paginator
from django.shortcuts import render

from cms.search import MAX_QUERY_LENGTH, search_pages


def search(request):
    """The site search results page (also the target of the search box on every page)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = search_pages(query) if query else []
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(request, "cms/search.html", {"query": query, "results": page, "count": len(results)})
