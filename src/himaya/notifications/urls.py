"""Routes of the in-app notifications. Every route has its row in tests/security/rows_notifications.py."""

from django.urls import URLPattern, path

from himaya.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<int:pk>/open/", views.notification_open, name="open"),
]
