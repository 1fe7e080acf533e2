"""'Send me a copy by e-mail' in Chromium: the tick box below the address, its message when
no address is given, the receipt saying where the copy goes, axe-clean, desktop and phone."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller

from consultation.jobs.queue import queue_of

from .filling import fill_apply_ai, tab_to
from .test_accessibility import axe_problems


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def mail(live_server):
    """A real SMTP server, and the live application's settings pointing at it, for this test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = live_server.app.config
    saved = {key: config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield inbox
    config.update(saved)
    controller.stop()


@pytest.mark.parametrize("width", [1280, 360])
def test_the_copy_is_asked_for_with_the_keyboard_and_the_receipt_says_where_it_goes(
    page, live_server, mail, screenshots, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base_url + "/consultations/apply-ai/respond")
    assert axe_problems(page) == []
    fill_apply_ai(page)
    tab_to(page, "#send_copy")
    page.keyboard.press("Space")
    assert page.locator("#send_copy").is_checked()
    box = page.locator("#question-send_copy")
    box.scroll_into_view_if_needed()
    screenshots(page, f"send-copy-box-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Send my contribution").click()

    notice = page.locator("#copy-notice")
    assert "A copy of your contribution is being sent to zoe@example.org." in notice.inner_text()
    assert axe_problems(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshots(page, f"send-copy-receipt-{width}")

    with live_server.app.app_context():
        queue_of(live_server.app).run_pending()
    # The live server is shared: a job another browser test left (an invitation) may go too.
    copies = [message for message in mail.messages if "zoe@example.org" in message[0]]
    [(recipients, _)] = copies
    assert recipients == ["zoe@example.org"]
    page.reload()
    assert "A copy of your contribution was sent to zoe@example.org on" in (
        page.locator("#copy-notice").inner_text()
    )


def test_ticked_without_an_address_the_message_is_tied_to_the_box(page, mail, screenshots):
    page.goto(page.base_url + "/consultations/apply-ai/respond")
    fill_apply_ai(page)
    page.fill("#q_email", "")
    page.check("#send_copy")
    page.get_by_role("button", name="Send my contribution").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#send_copy").is_checked()  # kept as it was
    assert page.locator("#q_first_name").input_value() == "Zoë"
    # The address is required in these questionnaires: its own message says what to do.
    assert "Enter your e-mail address." in page.locator("#error-summary").inner_text()
    page.locator("#question-email").scroll_into_view_if_needed()
    screenshots(page, "send-copy-without-address")
    assert axe_problems(page) == []


def test_a_refused_draft_deletion_and_a_file_asked_again_are_accessible(
    page, live_server, screenshots
):
    """The pages of the lead's defects (b) and (c): axe-clean, at 360 px too."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(page.base_url + "/consultations/apply-ai/respond")
    page.fill("#q_first_name", "Zoë")
    page.get_by_role("button", name="Save and continue later").click()
    link = page.locator("#draft-url").input_value()
    page.goto(link + "/delete")
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'forged'")
    page.get_by_role("button", name="Yes, delete my draft").click()
    assert "Please confirm again" in page.locator("#error-summary").inner_text()
    assert axe_problems(page) == []
    screenshots(page, "draft-delete-refused-360")

    config = live_server.app.config
    config["MIN_FORM_SECONDS"] = 30
    try:
        page.goto(page.base_url + "/consultations/apply-ai/respond")
        fill_apply_ai(page)
        page.set_input_files(
            "#q_position_paper",
            files=[{"name": "paper.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
        )
        page.get_by_role("button", name="Send my contribution").click()
        page.wait_for_selector("#files-again")
        assert "Choose “paper.pdf” again" in page.locator("#files-again").inner_text()
        assert axe_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshots(page, "too-fast-file-again-360")
    finally:
        config["MIN_FORM_SECONDS"] = 0
