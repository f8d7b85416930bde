-- The support-status rules in SQL (the same rules as src/domain/status.ts, docs/eol-format.md §4),
-- used by the GraphQL filters on computed fields and by the reporting view below. A test checks
-- that SQL and TypeScript agree on every cycle of the corpus.
--
-- All functions are IMMUTABLE SQL one-liners, so PostgreSQL inlines them into queries.

-- "Today" is the UTC calendar date, whatever the session's time zone.
CREATE FUNCTION "eolgraph_today"() RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT (now() AT TIME ZONE 'UTC')::date $$;

-- is_X of a date-or-boolean field: a date D is reached the day after D; a flag is as stored;
-- absent (both NULL) is NULL.
CREATE FUNCTION "eolgraph_is_reached"(flag boolean, d date, as_of date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN d IS NOT NULL THEN as_of > d ELSE flag END $$;

-- A phase that is given and not reached (an absent field is never open).
CREATE FUNCTION "eolgraph_is_open"(flag boolean, d date, as_of date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(CASE WHEN d IS NOT NULL THEN as_of <= d ELSE NOT flag END, false) $$;

-- isLts: an absent lts counts as false.
CREATE FUNCTION "eolgraph_is_lts"(lts_flag boolean, lts_from date, as_of date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(CASE WHEN lts_from IS NOT NULL THEN as_of > lts_from ELSE lts_flag END, false) $$;

-- isMaintained: any of eoas, eol, discontinued, eoes given and not reached.
CREATE FUNCTION "eolgraph_is_maintained"(
  eoas_flag boolean, eoas_from date, eol_flag boolean, eol_from date,
  eoes_flag boolean, eoes_from date, discontinued_flag boolean, discontinued_from date, as_of date
) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT "eolgraph_is_open"(eoas_flag, eoas_from, as_of) OR "eolgraph_is_open"(eol_flag, eol_from, as_of)
       OR "eolgraph_is_open"(discontinued_flag, discontinued_from, as_of) OR "eolgraph_is_open"(eoes_flag, eoes_from, as_of) $$;

-- supportPhase on the eoas → eol → eoes timeline (see src/domain/status.ts for the prose).
CREATE FUNCTION "eolgraph_support_phase"(
  eoas_flag boolean, eoas_from date, eol_flag boolean, eol_from date, eoes_flag boolean, eoes_from date, as_of date
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE
     WHEN eoas_flag IS NULL AND eoas_from IS NULL AND eol_flag IS NULL AND eol_from IS NULL
          AND eoes_flag IS NULL AND eoes_from IS NULL THEN 'UNKNOWN'
     WHEN "eolgraph_is_reached"(eol_flag, eol_from, as_of) = false THEN
       CASE WHEN "eolgraph_is_reached"(eoas_flag, eoas_from, as_of) = true THEN 'SECURITY_ONLY' ELSE 'ACTIVE' END
     WHEN "eolgraph_is_open"(eoes_flag, eoes_from, as_of) THEN 'EXTENDED'
     WHEN "eolgraph_is_open"(eoas_flag, eoas_from, as_of) THEN 'ACTIVE'
     ELSE 'ENDED'
   END $$;

-- Every release cycle with its product and its computed fields on a given date: for analysts
-- ("what was supported on 2024-01-15?": SELECT * FROM release_cycle_status_on('2024-01-15')).
CREATE FUNCTION "release_cycle_status_on"(as_of date) RETURNS TABLE (
  release_cycle_id int, product_id int, product text, product_label text, category text,
  cycle text, "position" int, codename text, release_date date,
  is_lts boolean, lts_from date, is_eoas boolean, eoas_from date, is_eol boolean, eol_from date,
  is_eoes boolean, eoes_from date, is_discontinued boolean, discontinued_from date,
  is_maintained boolean, support_phase text, days_until_eol int, latest text, latest_release_date date,
  as_of_date date
) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT rc.id, p.id, p.name, p.label, p.category,
         rc.name, rc.position, rc.codename, rc.release_date,
         "eolgraph_is_lts"(rc.lts_flag, rc.lts_from, as_of), rc.lts_from,
         "eolgraph_is_reached"(rc.eoas_flag, rc.eoas_from, as_of), rc.eoas_from,
         "eolgraph_is_reached"(rc.eol_flag, rc.eol_from, as_of), rc.eol_from,
         "eolgraph_is_reached"(rc.eoes_flag, rc.eoes_from, as_of), rc.eoes_from,
         "eolgraph_is_reached"(rc.discontinued_flag, rc.discontinued_from, as_of), rc.discontinued_from,
         "eolgraph_is_maintained"(rc.eoas_flag, rc.eoas_from, rc.eol_flag, rc.eol_from, rc.eoes_flag, rc.eoes_from,
                                  rc.discontinued_flag, rc.discontinued_from, as_of),
         "eolgraph_support_phase"(rc.eoas_flag, rc.eoas_from, rc.eol_flag, rc.eol_from, rc.eoes_flag, rc.eoes_from, as_of),
         rc.eol_from - as_of, rc.latest, rc.latest_release_date, as_of
    FROM "release_cycle" rc JOIN "product" p ON p.id = rc.product_id
$$;

-- The same as of today (UTC), for BI tools that want a plain view.
CREATE VIEW "release_cycle_status" AS SELECT * FROM "release_cycle_status_on"("eolgraph_today"());
