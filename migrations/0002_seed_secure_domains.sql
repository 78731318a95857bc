-- The contract seeds the secure-domain list with these two.
INSERT INTO secure_domains (domain) VALUES ('nhs.net'), ('gcsx.gov.uk') ON CONFLICT DO NOTHING;
