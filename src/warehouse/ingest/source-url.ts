/** A connection URL without its password, for messages and history. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@');
  }
}

export function databaseKind(source: string): 'postgres' | 'mysql' | null {
  if (/^postgres(ql)?:\/\//i.test(source)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(source)) return 'mysql';
  return null;
}
