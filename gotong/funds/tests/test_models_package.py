"""The funds models package: every funds model is found by Django, lives in a subject
module of ``gotong.funds.models`` and is re-exported by the package, so
``from gotong.funds.models import X`` keeps working for every public name."""

from django.apps import apps

from gotong.funds import models as funds_models


def test_every_funds_model_is_re_exported_from_a_subject_module() -> None:
    found = apps.get_app_config("funds").get_models()
    names = set(funds_models.__all__)
    for model in found:
        assert model.__name__ in names, model.__name__
        assert getattr(funds_models, model.__name__) is model
        # A subject module of the package, not the package itself nor another app.
        assert model.__module__.startswith("gotong.funds.models."), model.__module__


def test_every_public_name_of_the_subject_modules_is_in_all() -> None:
    exported = set(funds_models.__all__)
    for module_name in (
        "ledger",
        "campaigns",
        "statements",
        "vouchers",
        "goods",
        "payouts",
        "callbacks",
        "profile",
        "_common",
    ):
        module = getattr(funds_models, module_name)
        for name, value in vars(module).items():
            if name.startswith("_"):
                continue
            if isinstance(value, type):
                # A class counts where it is defined (not where it is imported).
                public = value.__module__ == module.__name__
            else:
                # Module constants (frozensets and tuples of kinds) are upper case.
                public = name.isupper()
            if public:
                assert name in exported, f"{module_name}.{name}"


def test_all_names_resolve() -> None:
    for name in funds_models.__all__:
        assert hasattr(funds_models, name), name
