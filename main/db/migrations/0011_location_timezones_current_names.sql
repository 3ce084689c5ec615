-- LOC-1: locations store the current IANA name of their zone (Europe/Kyiv, not Europe/Kiev).
-- Rows saved before were checked through ICU, which still answers the old names; the mapping is
-- the generated table shared/timezones.ts, read through the registered orgdesk_timezone().
-- A name the table does not know (none should exist) is kept as it is.
UPDATE `locations` SET `timezone` = orgdesk_timezone(`timezone`)
  WHERE `timezone` <> orgdesk_timezone(`timezone`);
