// Must be the first import of main.ts: instrumentation patches modules as they are loaded.
import { startTelemetry } from '@stampede/chassis/telemetry';

startTelemetry('event');
