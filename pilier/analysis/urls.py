from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("clients/<uuid:client_id>/analysis/", views.analysis_view, name="client"),
    path("clients/<uuid:client_id>/analysis.pdf", views.analysis_pdf_view, name="pdf"),
    path("analysis/room/", views.office_room_view, name="room"),
]
