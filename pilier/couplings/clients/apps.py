from django.apps import AppConfig


class ClientImportsConfig(AppConfig):
    """The management-software client export (Brio and others): mapping → preview → upsert. An app of its own
    (label `client_imports`) so that its models and migrations stand apart from the couplings app's."""

    name = "pilier.couplings.clients"
    label = "client_imports"

    def ready(self) -> None:
        # The confirmed import runs as an ImportRun of kind client_export, by the jobs' life cycle
        # (claim / progress / recover); its importer is this app's.
        from pilier.couplings import jobs
        from pilier.couplings.models import ImportKind

        jobs.RUNNERS.setdefault(ImportKind.CLIENT_EXPORT, "pilier.couplings.clients.importer.import_client_export")
