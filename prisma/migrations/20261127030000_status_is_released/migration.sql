-- Adds is_released to the reporting function and view ("what was supported on 2024-01-15" must
-- not list cycles released after that day, which endoflife.date's isMaintained alone would count).
-- A view's columns cannot be inserted in the middle, so both are recreated.
DROP VIEW "release_cycle_status";
DROP FUNCTION "release_cycle_status_on"(date);

-- Every release cycle with its product and its computed fields on a given date: for analysts
-- ("what was supported on 2024-01-15?": SELECT * FROM release_cycle_status_on('2024-01-15')).
CREATE FUNCTION "release_cycle_status_on"(as_of date) RETURNS TABLE (
  release_cycle_id int, product_id int, product text, product_label text, category text,
  cycle text, "position" int, codename text, release_date date, is_released boolean,
  is_lts boolean, lts_from date, is_eoas boolean, eoas_from date, is_eol boolean, eol_from date,
  is_eoes boolean, eoes_from date, is_discontinued boolean, discontinued_from date,
  is_maintained boolean, support_phase text, days_until_eol int, latest text, latest_release_date date,
  as_of_date date
) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT rc.id, p.id, p.name, p.label, p.category,
         rc.name, rc.position, rc.codename, rc.release_date, as_of >= rc.release_date,
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
