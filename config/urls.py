"""URL configuration: Wagtail admin, documents, GraphQL and the public site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from api.views import MinshengGraphQLView
from cms.cache import public_urlpatterns

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("graphql/", MinshengGraphQLView.as_view(), name="graphql"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's front-end URLs, pages served through the public pages' cache (cms.cache).
urlpatterns += public_urlpatterns()
