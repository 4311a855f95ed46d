/** Loaded with --import by scripts/run-tests.ts: turns the leak scan's recorder on in every test process (see capture.ts). */
import { installCapture } from './capture.ts';

await installCapture();
