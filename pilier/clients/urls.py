from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list_view, name="list"),
    path("new/", views.client_create_view, name="new"),
    path("assignments/", views.assignments_view, name="assignments"),
    path("assignments/<uuid:client_id>/", views.reassign_view, name="reassign"),
    path("<uuid:client_id>/", views.client_detail_view, name="detail"),
    path("<uuid:client_id>/edit/", views.client_edit_view, name="edit"),
    path("<uuid:client_id>/status/", views.client_status_view, name="status"),
    path("<uuid:client_id>/history/", views.client_history_view, name="history"),
    path("<uuid:client_id>/delete/", views.client_delete_view, name="delete"),
    path("<uuid:client_id>/career/new/", views.career_line_form_view, name="career_new"),
    path("<uuid:client_id>/career/shortcut/", views.career_shortcut_view, name="career_shortcut"),
    path("<uuid:client_id>/career/<uuid:line_id>/", views.career_line_form_view, name="career_edit"),
    path("<uuid:client_id>/career/<uuid:line_id>/delete/", views.career_line_delete_view, name="career_delete"),
    path("<uuid:client_id>/incomes/<int:year>/", views.income_view, name="income"),
]
