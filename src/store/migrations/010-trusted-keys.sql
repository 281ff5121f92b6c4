-- Trusted receipt-signing public keys (ADR 0030). Every worker and every state home that signs enrols
-- its public key here; `disclose verify` and receipt verification trust exactly this list.
-- A revoked key stays listed (revoked_at, revoked_reason) so its signatures fail with a reason.
create table trusted_keys (
  key_id text primary key,
  public_key_pem text not null,
  algorithm text not null,
  owner text not null,
  enrolled_at text not null,
  revoked_at text,
  revoked_reason text,
  revoked_by text
);
