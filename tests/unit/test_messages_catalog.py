"""The message catalog: codes render in English, integers without grouping, plurals select."""

from vpctest.messages import Message, languages, render, t


def test_status_words_render_from_the_english_catalog() -> None:
    assert t("status-pass") == "pass"
    assert render(Message("status-fail")) == "fail"


def test_unknown_language_falls_back_to_english_and_unknown_code_to_itself() -> None:
    assert t("status-warn", "xx") == "warn"
    assert t("no-such-code") == "no-such-code"


def test_english_is_the_first_language() -> None:
    assert languages()[0] == "en"
