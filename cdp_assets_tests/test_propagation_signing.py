"""Webhook signatures as a receiver checks them."""

from __future__ import annotations

from cdp_assets.propagation import sign_body, verify_signature

BODY = b'{"event_id":"e1","event_type":"customer.created","customer_id":"cus_1"}'


def test_signature_is_hex_hmac_sha256_of_the_body():
    signature = sign_body("s3cret", BODY)

    assert signature.startswith("sha256=")
    assert len(signature.removeprefix("sha256=")) == 64
    assert signature == sign_body(b"s3cret", BODY)


def test_signature_verifies_with_the_same_secret():
    assert verify_signature("s3cret", BODY, sign_body("s3cret", BODY))


def test_tampered_body_fails_verification():
    tampered = BODY.replace(b"cus_1", b"cus_2")

    assert not verify_signature("s3cret", tampered, sign_body("s3cret", BODY))


def test_signature_made_with_another_secret_fails_verification():
    assert not verify_signature("s3cret", BODY, sign_body("other", BODY))


def test_missing_or_malformed_header_fails_verification():
    digest = sign_body("s3cret", BODY).removeprefix("sha256=")

    assert not verify_signature("s3cret", BODY, None)
    assert not verify_signature("s3cret", BODY, "")
    assert not verify_signature("s3cret", BODY, digest)
    assert not verify_signature("s3cret", BODY, "sha256=é")
