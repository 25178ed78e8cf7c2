from django.urls import path

from . import views

app_name = "accountants"
urlpatterns = [
    path("accountants/", views.directory_view, name="directory"),
    path("clients/<uuid:client_id>/accountant/", views.file_accountant_view, name="file"),
]
