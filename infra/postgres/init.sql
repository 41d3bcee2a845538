-- One database per part (DESIGN §2: no part reads another's tables), created on the first start of an
-- empty data volume (/docker-entrypoint-initdb.d). Each part's one-shot `migrate-<part>` service then
-- brings its schema up to date with Alembic on every deployment.
--
-- A part added later needs its database created by hand on an existing volume:
--   docker compose exec postgres createdb -U duban duban_<part>

CREATE DATABASE duban_gateway;
CREATE DATABASE duban_hotline;
CREATE DATABASE duban_monitoring;
CREATE DATABASE duban_spotcheck;
CREATE DATABASE duban_rectification;
CREATE DATABASE duban_search;
