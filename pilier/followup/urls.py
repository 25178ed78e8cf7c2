from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("clients/<uuid:client_id>/pro-follow-up/", views.pro_follow_up_view, name="activate"),
    path("clients/<uuid:client_id>/pro-follow-up/<int:year>/", views.status_view, name="status"),
    path("pro-follow-up/", views.dashboard_view, name="dashboard"),
    path("pro-follow-up/files/", views.files_view, name="files"),
    path("pro-follow-up/files/status/", views.bulk_status_view, name="bulk_status"),
]
