"""Request bodies within their limits, refused before they are read (docs/limits.md).

Two guards, because Django reads a multipart body whole, spooling its files to disk, as soon as
anything touches request.POST (the CSRF check does, before the view):
- RequestSizeMiddleware refuses with a 413 a page request whose Content-Length is over its view's
  limit, before the CSRF check reads it;
- LimitedUploadHandler, the first upload handler, stops reading files once they add up to more than
  the request's limit, whatever the Content-Length said, and says so on the request
  (`upload_refused(request)`), so that the view shows why.
The API (ninja views) checks the same limits itself, after the bearer token, to answer in JSON in
the token owner's language (pilier/couplings/api.py, pilier/lib/api_parser.py).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from .api_parser import content_length, size_text


def takes_upload(view):
    """Marks a page that takes a file of up to settings.UPLOAD_MAX_BYTES; any other page takes a body of
    DATA_UPLOAD_MAX_MEMORY_SIZE at most, files included."""
    view.takes_upload = True
    return view


def limits(*, upload: bool) -> tuple[int, int]:
    """(files, whole body) allowed: a file and form fields for an upload, the small limit otherwise."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if upload:
        return settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_BYTES + fields
    return fields, fields


def upload_refused(request) -> int | None:
    """The limit the request's files went over (LimitedUploadHandler stopped reading them), or None."""
    return getattr(request, "upload_refused", None)


class RequestSizeMiddleware(MiddlewareMixin):
    """Before CsrfViewMiddleware in MIDDLEWARE (its process_view reads the body)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "ninja" in request.resolver_match.app_names:
            return None  # the API checks its bodies itself, after authentication
        upload = getattr(view_func, "takes_upload", False)
        request.upload_limit, whole = limits(upload=upload)
        if content_length(request) <= whole:
            return None
        if upload:
            message = _("The file is larger than %(size)s.") % {"size": size_text(request.upload_limit)}
        else:
            message = _("The request is larger than %(size)s.") % {"size": size_text(whole)}
        return render(request, "413.html", {"message": message}, status=413)


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of the request's files and stops the upload past `request.upload_limit`
    (set by RequestSizeMiddleware or the API view; DATA_UPLOAD_MAX_MEMORY_SIZE otherwise). The files
    already spooled are closed, which deletes their temporary copies."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.limit = getattr(request, "upload_limit", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request.upload_refused = self.limit
            raise StopUpload(connection_reset=True)  # and read no further
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) gives the file
