-- The change-notification triggers fire whatever the session's replication role. A session with
-- session_replication_role = replica (pg_restore --disable-triggers, a logical-replication
-- subscriber applying changes, an admin bypassing the edit-marking triggers) skips ordinary
-- triggers; had it skipped these too, its changes would never reach the service's caches, which
-- would then serve answers from before them until midnight.
-- The edit-marking triggers stay ordinary on purpose: a replica receives the marks already set
-- on the primary, and an admin who turns triggers off means to.
ALTER TABLE "product" ENABLE ALWAYS TRIGGER "product_notify";
ALTER TABLE "release_cycle" ENABLE ALWAYS TRIGGER "release_cycle_notify";
ALTER TABLE "product_tag" ENABLE ALWAYS TRIGGER "product_tag_notify";
ALTER TABLE "product_alias" ENABLE ALWAYS TRIGGER "product_alias_notify";
ALTER TABLE "identifier" ENABLE ALWAYS TRIGGER "identifier_notify";
ALTER TABLE "custom_field" ENABLE ALWAYS TRIGGER "custom_field_notify";
