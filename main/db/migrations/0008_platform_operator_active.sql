-- PLAT-1 upgrade, completing 0007: 0007 made the first account's first account admin the
-- platform operator even when that user was deactivated (a bootstrap admin retired once named
-- admins took over), which leaves nobody able to manage accounts or support engineers. When no
-- active user is a platform operator, the first active account admin of the first account
-- becomes one. A database that has an active operator is left as it is.
UPDATE `users` SET `is_platform_operator` = 1 WHERE `id` = (
  SELECT min(u.`id`) FROM `users` u
  JOIN `role_assignments` r ON r.`user_id` = u.`id` AND r.`role` = 'account_admin' AND r.`organization_id` IS NULL
  WHERE u.`account_id` = (SELECT min(`id`) FROM `accounts`) AND u.`is_active` = 1 AND u.`is_support_engineer` = 0
) AND NOT EXISTS (SELECT 1 FROM `users` WHERE `is_platform_operator` = 1 AND `is_active` = 1);
