-- 0027_seed001_roles.sql — the roles of seed 001's remaining services (issue 17), added at once so
-- that each service's own migration adds only its tables: plaza_staff (a plaza's desk: the plaza
-- registrations, src/plaza/), youth_worker and youth_supervisor (youth support casework,
-- src/youth/: a plaza's case workers and the ward's supervisor), centre_staff, centre_manager and
-- centre_parent (the child development support centre: its staff, the designated manager's
-- responsible person, a parent who sees only their own child's thread), course_staff (course
-- sign-up, src/course/). File exchange (src/exchange/) works with the existing staff roles.
-- [sqlite]
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''grant_staff'',''grant_approver'')',
                     '''grant_staff'',''grant_approver'',''plaza_staff'',''youth_worker'','
                     || '''youth_supervisor'',''centre_staff'',''centre_manager'','
                     || '''centre_parent'',''course_staff'')')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- [postgresql]
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('ward_admin','ward_staff','contractor','site_staff','school_admin','sender',
                  'bath_office','bath_branch','grant_operator','grant_supervisor','grant_staff',
                  'grant_approver','plaza_staff','youth_worker','youth_supervisor','centre_staff',
                  'centre_manager','centre_parent','course_staff'));
-- [both]
