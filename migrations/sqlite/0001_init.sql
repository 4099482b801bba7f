-- Catalog schema, SQLite flavour (see migrations/postgres/0001_init.sql for the twin).
--
-- The schema itself enforces the catalog invariants, so a bug in Rust code (or a hand-written
-- statement) cannot break them:
--   * asset names and non-root folder leaf names share ONE namespace per company: the `names`
--     table owns each name (PRIMARY KEY (company_id, name)) and tags it with the kind that uses
--     it; `assets` and `folders` reference (company_id, name, kind) with a composite foreign
--     key, and are themselves unique on (company_id, name[, kind]). Renames update `names` and
--     cascade. The company root folder has ns_kind NULL, so it stays outside the namespace.
--   * folder paths are unique per company; each company has exactly one root folder.
--   * trash states are a closed set; a live asset always has a folder.
--   * blob reference counts never go negative and every asset's blob has a counted row.
--   * user e-mails are unique case-insensitively (lower-cased copy in `email_lower`).
-- Timestamps are INTEGER microseconds since the Unix epoch (UTC).

CREATE TABLE companies (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL UNIQUE CHECK (length(name) > 0),
    root_path            TEXT    NOT NULL UNIQUE CHECK (length(root_path) > 1 AND substr(root_path, -1) = '/'),
    expires              INTEGER NOT NULL,
    overwrite_mode       TEXT    NOT NULL DEFAULT 'OverwriteFullName'
        CHECK (overwrite_mode IN ('OverwriteFullName', 'OverwriteAnyExt',
                                  'OverwriteFullNameAnyFolder', 'OverwriteAnyExtAnyFolder')),
    retain_publish_state INTEGER NOT NULL DEFAULT 0 CHECK (retain_publish_state IN (0, 1))
) STRICT;

CREATE TABLE names (
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name       TEXT    NOT NULL CHECK (length(name) > 0),
    kind       TEXT    NOT NULL CHECK (kind IN ('asset', 'folder')),
    PRIMARY KEY (company_id, name),
    UNIQUE (company_id, name, kind)
) STRICT;

CREATE TABLE folders (
    id         INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    parent_id  INTEGER,
    path       TEXT    NOT NULL CHECK (substr(path, -1) = '/'),
    name       TEXT    NOT NULL CHECK (length(name) > 0),
    -- 'folder' for every folder but the root, whose name stays outside the namespace.
    ns_kind    TEXT    CHECK (ns_kind = 'folder'),
    modified   INTEGER NOT NULL,
    CHECK ((parent_id IS NULL) = (ns_kind IS NULL)),
    CHECK (parent_id IS NULL OR instr(name, '/') = 0),
    UNIQUE (id, company_id),
    UNIQUE (company_id, path),
    UNIQUE (company_id, name, ns_kind),
    FOREIGN KEY (parent_id, company_id) REFERENCES folders (id, company_id) ON DELETE CASCADE,
    FOREIGN KEY (company_id, name, ns_kind) REFERENCES names (company_id, name, kind)
        ON UPDATE CASCADE
) STRICT;

CREATE UNIQUE INDEX folders_one_root ON folders (company_id) WHERE parent_id IS NULL;
CREATE INDEX folders_parent ON folders (parent_id);

CREATE TABLE blobs (
    digest TEXT    PRIMARY KEY CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
    refs   INTEGER NOT NULL CHECK (refs >= 0)
) STRICT;

CREATE TABLE assets (
    id                INTEGER PRIMARY KEY,
    company_id        INTEGER NOT NULL REFERENCES companies (id),
    name              TEXT    NOT NULL,
    kind              TEXT    NOT NULL DEFAULT 'asset' CHECK (kind = 'asset'),
    asset_type        TEXT    NOT NULL,
    folder_id         INTEGER REFERENCES folders (id) ON DELETE SET NULL,
    -- Folder path remembered when trashed, reported once the folder itself is gone.
    trash_folder_path TEXT,
    file_name         TEXT    NOT NULL,
    blob              TEXT    NOT NULL REFERENCES blobs (digest),
    width             INTEGER NOT NULL,
    height            INTEGER NOT NULL,
    format            TEXT    NOT NULL,
    file_size         INTEGER NOT NULL,
    created           INTEGER NOT NULL,
    create_user       TEXT    NOT NULL,
    modified          INTEGER NOT NULL,
    modify_user       TEXT    NOT NULL,
    ready_for_publish INTEGER NOT NULL CHECK (ready_for_publish IN (0, 1)),
    trash_state       TEXT    NOT NULL DEFAULT 'NotInTrash'
        CHECK (trash_state IN ('NotInTrash', 'InTrash', 'InEmptiedTrash')),
    trashed_at        INTEGER,
    url_modifier      TEXT    NOT NULL DEFAULT '',
    url_post_modifier TEXT    NOT NULL DEFAULT '',
    CHECK (trash_state <> 'NotInTrash' OR (folder_id IS NOT NULL AND trashed_at IS NULL)),
    CHECK (trash_state = 'NotInTrash' OR trashed_at IS NOT NULL),
    UNIQUE (company_id, name),
    FOREIGN KEY (company_id, name, kind) REFERENCES names (company_id, name, kind)
        ON UPDATE CASCADE
) STRICT;

CREATE INDEX assets_folder ON assets (folder_id);
CREATE INDEX assets_blob ON assets (blob);
CREATE INDEX assets_trash ON assets (trash_state, trashed_at);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT    NOT NULL,
    email_lower      TEXT    NOT NULL UNIQUE,
    first_name       TEXT    NOT NULL,
    last_name        TEXT    NOT NULL,
    password_hash    TEXT    NOT NULL,
    default_role     TEXT    NOT NULL
        CHECK (default_role IN ('IpsAdmin', 'IpsCompanyAdmin', 'IpsUser', 'WebServiceUser',
                                'TrialSiteAdmin', 'TrialSiteUser', 'ImagePortalAdmin',
                                'ImagePortalUser', 'ImagePortalContrib',
                                'ImagePortalContribUser')),
    is_valid         INTEGER NOT NULL CHECK (is_valid IN (0, 1)),
    password_expires INTEGER
) STRICT;

CREATE TABLE memberships (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (user_id, company_id)
) STRICT;

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies (id),
    name            TEXT    NOT NULL,
    original_name   TEXT    NOT NULL,
    job_type        TEXT    NOT NULL,
    user_email      TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'Running' CHECK (state IN ('Running', 'Done')),
    start_date      INTEGER NOT NULL,
    end_date        INTEGER,
    success_count   INTEGER NOT NULL DEFAULT 0 CHECK (success_count >= 0),
    error_count     INTEGER NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    warning_count   INTEGER NOT NULL DEFAULT 0 CHECK (warning_count >= 0),
    duplicate_count INTEGER NOT NULL DEFAULT 0 CHECK (duplicate_count >= 0),
    update_count    INTEGER NOT NULL DEFAULT 0 CHECK (update_count >= 0),
    total_count     INTEGER NOT NULL DEFAULT 0 CHECK (total_count >= 0),
    last_activity   INTEGER NOT NULL
) STRICT;

CREATE INDEX jobs_company_start ON jobs (company_id, start_date);

CREATE TABLE job_logs (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    log_type   TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    asset_name TEXT    NOT NULL,
    -- No foreign key: the log outlives a purged asset.
    asset_id   INTEGER,
    date       INTEGER NOT NULL
) STRICT;

CREATE INDEX job_logs_job ON job_logs (job_id, date);
