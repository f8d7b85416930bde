-- Value constraints: what the API promises about each stored value holds whoever writes the row
-- (the importer, Prisma Studio, psql). Before, an admin could store an eol date of 'infinity' or
-- '4713-01-01 BC' (served as eolFrom "infinity", and judged one way by the fields and another by
-- the SQL filters), a cycle named ' 1.15 ', a link 'javascript:alert(1)' (served as latest.link),
-- or an alias that is another product's id (two products behind one lookup key).
--
-- Every constraint is named after what it asserts, so the refusal names the rule that was broken:
--   <table>_<column>_in_range        a date (or instant) within 0001-01-01 .. 9999-12-31: finite, AD,
--                                    four-digit year (the Date scalar's "YYYY-MM-DD")
--   <table>_<column>_trimmed_text    non-empty, no leading or trailing whitespace, no control
--                                    characters (the same rule as src/importer/shapes.ts)
--   <table>_<column>_permalink_shape lowercase letters, digits, ".", "_", "-", at least one letter or
--                                    digit (endoflife.date's permalink characters, plus the "." and
--                                    "_" of legacy alternate_urls such as /node.js)
--   <table>_<column>_http            starts with http:// or https:// and a host character
--   product_permalink_shape          "/" followed by a permalink-shaped name
-- and, across tables (a trigger, named like a constraint): product_alias_not_a_product_name,
-- product_name_not_an_alias.
--
-- Rows stored before this migration that break a rule: the values the importer used to store
-- and now reads differently (an empty latest or changelogTemplate, a permalink without its "/")
-- are rewritten as the importer would now write them; anything else (made by hand) leaves that
-- constraint NOT VALID — still enforced on every new or changed row — and the importer's report
-- lists the rows ("check …") until they are fixed and the constraint validated.

-- The value rules, as IMMUTABLE SQL functions (inlined; usable in CHECKs and by the report).
-- Whitespace is exactly what JavaScript's String.prototype.trim removes, so the importer and the
-- database agree on every character whatever the server's locale; control characters are
-- Unicode's Cc (C0, DEL, C1).
CREATE FUNCTION "eolgraph_is_trimmed_text"(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT t <> ''
      AND t !~ '^[\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
      AND t !~ '[\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$'
      AND t !~ '[\u0001-\u001f\u007f-\u009f]' $$;

CREATE FUNCTION "eolgraph_is_permalink_name"(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT t ~ '^[a-z0-9._-]*[a-z0-9][a-z0-9._-]*$' $$;

-- A link: http(s), then something, no control characters. Scheme letters in any case, as in URLs.
CREATE FUNCTION "eolgraph_is_http_link"(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT t ~* '^https?://[^\u0001-\u0020\u007f-\u009f]' AND t !~ '[\u0001-\u001f\u007f-\u009f]' $$;

-- A changelog template is rendered (trimmed, placeholders, Liquid) before use; whatever Liquid
-- does after it, the result starts with its literal http(s):// prefix. Block scalars end in a
-- newline, so control characters are not refused here.
CREATE FUNCTION "eolgraph_is_http_template"(t text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT t ~* '^https?://[^\u0001-\u0020\u007f-\u009f]' $$;

-- Values the importer stored before and now reads as absent / normalises; rewritten as the importer
-- (so that the edit-tracking triggers do not take them for admin edits).
SELECT set_config('eolgraph.writer', 'importer', true);
UPDATE "release_cycle" SET "latest" = NULL WHERE "latest" ~ '^[[:space:]]*$';
UPDATE "product" SET "changelog_template" = NULL WHERE "changelog_template" ~ '^[[:space:]]*$';
UPDATE "custom_field" SET "link" = NULL WHERE "link" ~ '^[[:space:]]*$';
UPDATE "product" SET "permalink" = '/' || "name" WHERE "permalink" = "name" AND "eolgraph_is_permalink_name"("name");
SELECT set_config('eolgraph.writer', '', true);

-- NOT VALID first, validated below: a rule broken by an old hand-made row must not stop the
-- service from starting.
ALTER TABLE "product"
  ADD CONSTRAINT "product_name_permalink_shape" CHECK ("eolgraph_is_permalink_name"("name")) NOT VALID,
  ADD CONSTRAINT "product_permalink_shape"
    CHECK (left("permalink", 1) = '/' AND "eolgraph_is_permalink_name"(substr("permalink", 2))) NOT VALID,
  ADD CONSTRAINT "product_release_policy_link_http"
    CHECK ("release_policy_link" IS NULL OR "eolgraph_is_http_link"("release_policy_link")) NOT VALID,
  ADD CONSTRAINT "product_changelog_template_http"
    CHECK ("changelog_template" IS NULL OR "eolgraph_is_http_template"("changelog_template")) NOT VALID,
  ADD CONSTRAINT "product_added_at_in_range" CHECK ("added_at" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "product_imported_at_in_range"
    CHECK ("imported_at" BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT "product_updated_at_in_range"
    CHECK ("updated_at" BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT "product_edited_at_in_range"
    CHECK ("edited_at" BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

ALTER TABLE "release_cycle"
  ADD CONSTRAINT "release_cycle_name_trimmed_text" CHECK ("eolgraph_is_trimmed_text"("name")) NOT VALID,
  ADD CONSTRAINT "release_cycle_latest_trimmed_text"
    CHECK ("latest" IS NULL OR "eolgraph_is_trimmed_text"("latest")) NOT VALID,
  ADD CONSTRAINT "release_cycle_link_http" CHECK ("link" IS NULL OR "eolgraph_is_http_link"("link")) NOT VALID,
  ADD CONSTRAINT "release_cycle_release_date_in_range"
    CHECK ("release_date" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_latest_release_date_in_range"
    CHECK ("latest_release_date" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_lts_from_in_range" CHECK ("lts_from" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_eoas_from_in_range" CHECK ("eoas_from" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_eol_from_in_range" CHECK ("eol_from" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_eoes_from_in_range" CHECK ("eoes_from" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_discontinued_from_in_range"
    CHECK ("discontinued_from" BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID,
  ADD CONSTRAINT "release_cycle_updated_at_in_range"
    CHECK ("updated_at" BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID,
  ADD CONSTRAINT "release_cycle_edited_at_in_range"
    CHECK ("edited_at" BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

ALTER TABLE "product_alias"
  ADD CONSTRAINT "product_alias_permalink_shape" CHECK ("eolgraph_is_permalink_name"("alias")) NOT VALID;
ALTER TABLE "product_tag"
  ADD CONSTRAINT "product_tag_trimmed_text" CHECK ("eolgraph_is_trimmed_text"("tag")) NOT VALID;
ALTER TABLE "identifier"
  ADD CONSTRAINT "identifier_type_trimmed_text" CHECK ("eolgraph_is_trimmed_text"("type")) NOT VALID,
  ADD CONSTRAINT "identifier_value_trimmed_text" CHECK ("eolgraph_is_trimmed_text"("value")) NOT VALID;
ALTER TABLE "custom_field"
  ADD CONSTRAINT "custom_field_name_trimmed_text" CHECK ("eolgraph_is_trimmed_text"("name")) NOT VALID,
  ADD CONSTRAINT "custom_field_link_http" CHECK ("link" IS NULL OR "eolgraph_is_http_link"("link")) NOT VALID;
ALTER TABLE "deleted_product"
  ADD CONSTRAINT "deleted_product_deleted_at_in_range"
    CHECK ("deleted_at" BETWEEN '0001-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00') NOT VALID;

-- Validate each one; one that old rows break stays NOT VALID (enforced for new rows) with a warning.
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND contype = 'c' AND NOT convalidated
              AND conname ~ '_(in_range|trimmed_text|permalink_shape|http)$'
            ORDER BY conname
  LOOP
    BEGIN
      EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.tbl, c.conname);
    EXCEPTION WHEN check_violation THEN
      RAISE WARNING 'constraint % is broken by rows stored before it existed; it is enforced on new and changed rows, and the importer lists the old ones', c.conname;
    END;
  END LOOP;
END $$;

-- An alias is looked up in the same namespace as product ids (product(name:), releaseCycle(product:),
-- filters by names): an alias that is another product's id would make one key name two products.
-- A trigger, since the rule spans two tables. Each side locks the name it writes before looking
-- at the other table, so two concurrent writers (the importer writes four products at a time, an
-- admin may be editing) cannot each miss the other's uncommitted row: the second waits for the
-- first to commit, then sees its row. A transaction locks at most 100 names one by one (under a
-- shared lock on the whole namespace); past that (a document with 60,000 alternate_urls) it takes
-- the namespace exclusively instead, so that the lock table cannot run out. The error is a
-- check_violation (23514) carrying the rule's name as its constraint, worded like PostgreSQL's
-- own, so that Prisma Studio shows it as it shows a CHECK's.
CREATE FUNCTION "eolgraph_lock_name"(n text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE taken int := coalesce(nullif(current_setting('eolgraph.names_locked', true), ''), '0')::int;
BEGIN
  IF taken < 0 THEN
    RETURN; -- this transaction holds the whole namespace
  ELSIF taken >= 100 THEN
    PERFORM pg_advisory_xact_lock(72707370, 0);
    PERFORM set_config('eolgraph.names_locked', '-1', true);
  ELSE
    IF taken = 0 THEN
      PERFORM pg_advisory_xact_lock_shared(72707370, 0);
    END IF;
    PERFORM pg_advisory_xact_lock(72707371, hashtext(n));
    PERFORM set_config('eolgraph.names_locked', (taken + 1)::text, true);
  END IF;
END $$;

CREATE FUNCTION "eolgraph_alias_not_a_product_name"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE owner text;
BEGIN
  PERFORM "eolgraph_lock_name"(NEW."alias");
  SELECT p."name" INTO owner FROM "product" p WHERE p."name" = NEW."alias" AND p."id" <> NEW."product_id";
  IF FOUND THEN
    RAISE EXCEPTION 'new row for relation "product_alias" violates constraint "product_alias_not_a_product_name": alias "%" is the name of product "%"',
      NEW."alias", owner
      USING ERRCODE = 'check_violation', CONSTRAINT = 'product_alias_not_a_product_name', TABLE = 'product_alias',
            HINT = 'An alias and a product id are looked up alike; each must name one product only.';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION "eolgraph_name_not_an_alias"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE owner text;
BEGIN
  PERFORM "eolgraph_lock_name"(NEW."name");
  SELECT p."name" INTO owner FROM "product_alias" a JOIN "product" p ON p."id" = a."product_id"
   WHERE a."alias" = NEW."name" AND a."product_id" <> NEW."id";
  IF FOUND THEN
    RAISE EXCEPTION 'new row for relation "product" violates constraint "product_name_not_an_alias": "%" is an alias of product "%"',
      NEW."name", owner
      USING ERRCODE = 'check_violation', CONSTRAINT = 'product_name_not_an_alias', TABLE = 'product',
            HINT = 'An alias and a product id are looked up alike; remove the alias first.';
  END IF;
  RETURN NULL;
END $$;

-- AFTER triggers: they see the row as finally stored (after BEFORE triggers), and re-pointing an
-- alias at another product (UPDATE of product_id) is checked as well. ALWAYS, like the CHECKs,
-- which session_replication_role = replica does not switch off either.
CREATE TRIGGER "product_alias_not_a_product_name" AFTER INSERT OR UPDATE OF "alias", "product_id" ON "product_alias"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_alias_not_a_product_name"();
CREATE TRIGGER "product_name_not_an_alias" AFTER INSERT OR UPDATE OF "name" ON "product"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_name_not_an_alias"();
ALTER TABLE "product_alias" ENABLE ALWAYS TRIGGER "product_alias_not_a_product_name";
ALTER TABLE "product" ENABLE ALWAYS TRIGGER "product_name_not_an_alias";
