-- Change notifications: every statement that changes catalogue data, whoever runs it (the importer,
-- Prisma Studio, psql, a BI tool), notifies channel eolgraph_data_changed when its transaction
-- commits. The service listens and drops its response cache and in-memory snapshot, so no cached
-- answer outlives a change by more than the notification's delivery time.
CREATE FUNCTION "eolgraph_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('eolgraph_data_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER "product_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "product"
  FOR EACH STATEMENT EXECUTE FUNCTION "eolgraph_notify_change"();
CREATE TRIGGER "release_cycle_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "release_cycle"
  FOR EACH STATEMENT EXECUTE FUNCTION "eolgraph_notify_change"();
CREATE TRIGGER "product_tag_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "product_tag"
  FOR EACH STATEMENT EXECUTE FUNCTION "eolgraph_notify_change"();
CREATE TRIGGER "product_alias_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "product_alias"
  FOR EACH STATEMENT EXECUTE FUNCTION "eolgraph_notify_change"();
CREATE TRIGGER "identifier_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "identifier"
  FOR EACH STATEMENT EXECUTE FUNCTION "eolgraph_notify_change"();
CREATE TRIGGER "custom_field_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "custom_field"
  FOR EACH STATEMENT EXECUTE FUNCTION "eolgraph_notify_change"();
