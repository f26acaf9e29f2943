"""Per-merchant credentials for the outside services Doorstep calls on a merchant's behalf (payment
gateways, text-message providers, the email sender), encrypted at rest, never shown back (a masked
hint only), rotatable. Carrier API keys stay on CarrierAccount (tracking.ingest). Resolution is
always: the merchant's active credential, else the install-wide default from the environment."""
