from django.urls import path

from . import views

app_name = "accountants"
urlpatterns = [
    path("accountants/", views.directory_view, name="directory"),
]
