"""The NinjaAPI instance (v1): bearer-token auth, one error shape, the apps' routers.

Nothing imports this module back: the routers' shared pieces (errors, `Input`) live in `pilier.lib.api_errors`."""

from django.conf import settings
from ninja import NinjaAPI
from ninja.errors import Throttled
from ninja.security import HttpBearer

from pilier.accountants.api import router as accountants_router
from pilier.accounts.access import staff_membership
from pilier.accounts.limits import count_failure
from pilier.accounts.middleware import bind_user
from pilier.accounts.models import ApiToken
from pilier.analysis.api import router as analysis_router
from pilier.clients.api import router as clients_router
from pilier.couplings.api import router as imports_router
from pilier.followup.api import router as followup_router
from pilier.lib.api_errors import document_errors, install_error_handlers
from pilier.lib.api_parser import JsonParser
from pilier.policies.api import insurers_router
from pilier.policies.api import router as policies_router
from pilier.portal.api import router as portal_router


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the token's staff user, who sees exactly what they see on the site."""

    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is None or staff_membership(user) is None:
            # Invalid tokens are counted per client address, past a few dozen a minute refused with
            # 429; a valid one is never counted nor slowed, whoever else shares its address.
            wait = count_failure("api-token", request, limit=settings.API_INVALID_TOKENS_PER_MINUTE)
            if wait is not None:
                raise Throttled(wait=wait)
            return None
        request.user = user  # also the author of the history rows written by this request
        bind_user(request, user)
        return user


class PilierAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


api = PilierAPI(
    title="Pilier API",
    version="1",
    description="Client files of a Belgian broker office. Authenticate with `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    parser=JsonParser(),  # UTF-8 only, nesting bounded: a 400, never a 500
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


install_error_handlers(api)
api.add_router("/clients", clients_router)
api.add_router("/", policies_router)
api.add_router("/insurers", insurers_router)
api.add_router("/portfolio-imports", imports_router)
api.add_router("/", analysis_router)
api.add_router("/", followup_router)
api.add_router("/", portal_router)
api.add_router("/", accountants_router)
