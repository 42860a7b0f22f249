"""The City of Phoenix customer service contact, as the customer guide gives it."""

EMAIL = "cityservicesbill@phoenix.gov"
PHONE = "602-262-6251"
PHONE_TEL = "+16022626251"
CONTACT_URL = "https://www.phoenix.gov/waterservices/contact"
FAQ_URL = "https://phoenix.gov/payonline/FAQs"
