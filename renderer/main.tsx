// The console's entry, kept small on purpose (console load): this module's own task puts the URL
// in its canonical form and sends the first calls (shell/early-boot.ts); only then, in a task of
// its own, the rest of the console (React, the history, the query cache; ~100 ms of script on a
// busy machine) is loaded and run. A request is only sent once the page's script yields, so
// calls made from inside that one big script left only after all of it had run.
import { boot, bootTransport } from './shell/early-boot';
// Linked from index.html by the build, so it loads beside the script, not after it.
import './styles.css';

void import('./app-main').then((m) => m.startConsole(bootTransport, boot));
