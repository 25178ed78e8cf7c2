from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("clients/<uuid:client_id>/policies/new/", views.policy_create_view, name="new"),
    path("policies/<uuid:policy_id>/", views.policy_edit_view, name="edit"),
    path("policies/<uuid:policy_id>/main/", views.policy_main_view, name="main"),
    path("policies/<uuid:policy_id>/delete/", views.policy_delete_view, name="delete"),
]
