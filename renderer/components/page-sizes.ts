/** Rows per page a table offers (its own module: the shell reads it at boot, without the table). */
export const PAGE_SIZES = [25, 50, 100] as const;
