def office(request):
    return {"office": getattr(request, "office", None), "membership": getattr(request, "membership", None)}
