/**
 * Zod settings for the renderer, imported before anything that builds a schema. Zod probes whether it
 * may compile fast parsers with `new Function` when a schema is created; under the renderer's CSP that
 * probe fails safely but is still reported as a Trusted Types violation, so code generation is off.
 */
import { z } from 'zod';

z.config({ jitless: true });
