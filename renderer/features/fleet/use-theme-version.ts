import { useEffect, useState } from 'react';

/**
 * A number that changes whenever the console's colours may have: the OS switching light/dark
 * (prefers-color-scheme) or the user picking a theme (html[data-theme]). A canvas chart reads
 * its colours from the CSS variables, so it redraws when this changes.
 */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['data-theme'],
    });
    return () => {
      media.removeEventListener('change', bump);
      observer.disconnect();
    };
  }, []);
  return version;
}
