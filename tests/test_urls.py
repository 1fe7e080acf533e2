"""Absolute links come from PUBLIC_BASE_URL; production will not start without a safe one."""

import pytest

from config import Config
from consultation import create_app
from consultation.startup import check_ready
from consultation.urls import NoPublicAddress, external_url


def production(tmp_path, **settings):
    class Production(Config):
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite'}"
        UPLOAD_FOLDER = str(tmp_path / "uploads")

    for key, value in settings.items():
        setattr(Production, key, value)
    return create_app(Production)


def problems_about_the_address(app):
    return [p for p in check_ready(app) if "PUBLIC_BASE_URL" in p]


def test_production_needs_a_public_address(tmp_path):
    [problem] = problems_about_the_address(production(tmp_path))
    assert "\n" not in problem
    assert problem.startswith("PUBLIC_BASE_URL is not set: set it to the site's public address")


@pytest.mark.parametrize(
    "settings",
    [{"PUBLIC_BASE_URL": "https://consultations.example.eu"}, {"TRUSTED_HOSTS": ["example.eu"]}],
)
def test_a_public_address_or_trusted_hosts_will_do(tmp_path, settings):
    assert problems_about_the_address(production(tmp_path, **settings)) == []


@pytest.mark.parametrize(
    "value",
    ["consultations.example.eu", "ftp://example.eu", "https://a@example.eu", "https://x/?q"],
)
def test_a_malformed_public_address_is_refused(tmp_path, value):
    [problem] = problems_about_the_address(production(tmp_path, PUBLIC_BASE_URL=value))
    assert "must be an address such as https://consultations.example.eu" in problem


def test_links_use_the_public_address_outside_requests_too(tmp_path):
    app = production(tmp_path, PUBLIC_BASE_URL="https://example.eu/consult/")
    with app.app_context():
        assert external_url("drafts.resume", token="abc") == "https://example.eu/consult/drafts/abc"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("admin.dashboard") == "https://example.eu/consult/admin/"


def test_without_one_production_builds_no_link_from_the_request(tmp_path):
    app = production(tmp_path)
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        with pytest.raises(NoPublicAddress):
            external_url("drafts.resume", token="abc")


def test_development_falls_back_to_the_request_host(app):
    with app.test_request_context("/", base_url="http://127.0.0.1:5102"):
        assert external_url("drafts.resume", token="abc") == "http://127.0.0.1:5102/drafts/abc"


def test_outside_a_request_tests_and_development_use_localhost(app):
    assert external_url("drafts.resume", token="abc") == "http://localhost/drafts/abc"
