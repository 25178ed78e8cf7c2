from django.urls import path

from . import views

app_name = "couplings"
urlpatterns = [
    path("", views.import_list_view, name="imports"),
    path("<uuid:import_id>/", views.import_detail_view, name="detail"),
    path("unmatched/", views.unmatched_list_view, name="unmatched"),
    path("unmatched/<uuid:record_id>/", views.unmatched_detail_view, name="unmatched_record"),
    path("unmatched/<uuid:record_id>/link/", views.unmatched_link_view, name="unmatched_link"),
    path("unmatched/<uuid:record_id>/dismiss/", views.unmatched_dismiss_view, name="unmatched_dismiss"),
]
