"""What main added speaks French and German too: sign-in, administration, drafts, editing."""

from email.header import decode_header, make_header

import pytest

from consultation.consultations.queries import consultation_by_slug
from consultation.i18n import COOKIE

from .admin_helpers import make_user, sign_in, signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens
from .forms import private_link, shown_form
from .reporting import pdf_text
from .test_drafts import save_new_draft
from .test_mail import save_draft, smtp_server  # noqa: F401  (fixture)
from .test_resilience import database_down

SLUG = "apply-ai"


def speak(client, language):
    client.set_cookie(COOKIE, language)
    return client


@pytest.fixture
def admin_client(app, consultations):
    make_user("admin@example.org", "admin")
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 302
    return client


def test_sign_in_page_and_its_refusal_are_translated(client):
    speak(client, "fr")
    page = client.get("/admin/sign-in").get_data(as_text=True)
    assert "Se connecter à l’espace d’administration" in page and "Mot de passe" in page

    wrong = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == 401
    assert "L’adresse électronique ou le mot de passe est incorrect." in wrong.get_data(
        as_text=True
    )


def test_the_sign_in_prompt_is_flashed_in_the_reader_language(client):
    speak(client, "de")
    result = client.get("/admin/")
    assert result.status_code == 302
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Melden Sie sich an, um fortzufahren." in page


def test_dashboard_in_german(admin_client):
    page = speak(admin_client, "de").get("/admin/").get_data(as_text=True)
    assert "<h1>Übersicht</h1>" in page
    assert "Prüfprotokoll" in page and "Angemeldet als admin@example.org (Administrator)" in page
    assert ">Offen</span>" in page and "Beiträge pro Tag" in page
    assert "Dashboard" not in page


def test_changes_refusals_and_flash_messages_in_french(admin_client):
    speak(admin_client, "fr")
    url = f"/admin/consultations/{SLUG}/close"
    token = signed_in_csrf(admin_client)
    asked = admin_client.post(url, data={"csrf_token": token}).get_data(as_text=True)
    assert "Veuillez confirmer\u00a0: Clôturer maintenant" in asked

    done = admin_client.post(url, data={"csrf_token": token, "confirm": "yes"})
    page = admin_client.get(done.headers["Location"]).get_data(as_text=True)
    assert "C’est fait\u00a0:" in page and "a été clôturée" in page

    again = admin_client.post(url, data={"csrf_token": token, "confirm": "yes"})
    page = admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "pas ouverte" in page and "Clôturée" in page


def test_reports_and_exports_in_german(app, admin_client):
    from .jobs_helpers import prepared

    page = speak(admin_client, "de").get(f"/admin/consultations/{SLUG}").get_data(as_text=True)
    assert 'id="reports">Berichte und Exporte</h2>' in page
    assert "Zusammenfassenden Bericht erstellen (PDF, in der Sprache dieser Seite)" in page
    assert "Noch nichts vorbereitet" in page
    assert "Tabelle mit personenbezogenen Daten:" in page and "Veröffentlichbare Tabelle" in page
    assert "Reports and exports" not in page and "Spreadsheet with" not in page
    # The report follows the administrator's language.
    german = speak(admin_client, "de")
    report = pdf_text(prepared(app, german, f"/admin/consultations/{SLUG}/reports/summary").data)
    assert "Zusammenfassender Sachbericht" in report and "Wer teilgenommen hat" in report
    assert "Who took part" not in report


def test_responses_list_in_french(admin_client):
    client = admin_client
    data = {**form_tokens(client, SLUG)}
    data.update(valid_form_data(consultation_by_slug(SLUG).questionnaire))
    assert client.post(f"/consultations/{SLUG}/respond", data=data).status_code == 303
    page = speak(client, "fr").get(f"/admin/consultations/{SLUG}/responses")
    text = page.get_data(as_text=True)
    assert "1 réponse trouvée." in text and "Type de répondant" in text


def test_draft_pages_in_french(client, consultations):
    speak(client, "fr")
    page, link = save_new_draft(client, {"q_first_name": "Ada"})
    assert "Vos réponses sont enregistrées" in page
    assert "Votre brouillon n’a <strong>pas été envoyé</strong>" in page

    resumed = client.get(link).get_data(as_text=True)
    assert "Vous poursuivez le brouillon enregistré le" in resumed
    assert "Enregistrer et continuer plus tard" in resumed

    asked = client.get(link + "/delete").get_data(as_text=True)
    assert "Supprimer votre brouillon\u00a0?" in asked


def test_a_form_that_expired_is_explained_in_german(client, consultations):
    result = speak(client, "de").post("/admin/sign-in", data={"email": "a@example.org"})
    assert result.status_code == 400
    assert "Dieses Formular ist abgelaufen" in result.get_data(as_text=True)
    # A draft's own forms keep the person on the page, in German too.
    _, link = save_new_draft(client, {"q_first_name": "Ada"})
    result = client.post(link + "/delete", data={})
    assert result.status_code == 400
    assert "Bitte bestätigen Sie erneut" in result.get_data(as_text=True)


def test_editing_after_submission_in_german(client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    sent = client.post(f"/consultations/{SLUG}/respond", data=data)
    receipt = speak(client, "de").get(sent.headers["Location"]).get_data(as_text=True)
    assert "Ihren Beitrag später ändern" in receipt
    edit = client.get(private_link(receipt, "edit")).get_data(as_text=True)
    assert "Ihren Beitrag ändern" in edit and "Meine Änderungen speichern" in edit


def test_the_database_failure_page_in_french(client, consultations):
    data = {**form_tokens(client, SLUG), **valid_form_data(consultations[SLUG].questionnaire)}
    speak(client, "fr")
    with database_down():
        result = client.post(f"/consultations/{SLUG}/respond", data=data)
    assert result.status_code == 503
    assert "Nous n’avons pas pu enregistrer votre contribution" in result.get_data(as_text=True)


def test_the_draft_e_mail_is_written_in_the_reader_language(
    app,
    client,
    consultations,
    smtp_server,  # noqa: F811
):
    from .jobs_helpers import run_jobs

    speak(client, "de")
    page = save_draft(client, {"q_first_name": "Ada"})
    link = private_link(page, "draft")
    form = shown_form(page)
    sent = client.post(
        link + "/email", data={"csrf_token": form["csrf_token"], "email": "ada@example.org"}
    )
    assert sent.status_code == 200 and "Der Link ist unterwegs" in sent.get_data(as_text=True)
    run_jobs(app)  # the message is built in the request, in German, and sent by a job
    [(_, message)] = smtp_server.messages
    title = consultations[SLUG].text("title", "de")
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject.replace("\n", "") == f"Ihr gespeicherter Entwurf: {title}"
    body = message.get_payload(decode=True).decode()
    assert "Sie haben einen Entwurf Ihres Beitrags" in body
