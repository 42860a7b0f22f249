// A new passkey belongs in the list above the button: reload once the library reports it saved.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
