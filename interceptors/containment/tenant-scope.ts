/**
 * @module temporal-resilience/interceptors/containment/tenant-scope
 *
 * Tenant scoping of tool keys: with a `tenantOf(info, args, headers)` option, each tenant (or API key) of a tool gets
 * its own containment state, so one tenant's quota STOP does not hold another's calls. The tenant is read by a small
 * activity interceptor placed before the toolkit's own and handed to the governor registry through an
 * `AsyncLocalStorage`, so the attempt's interceptor needs no change. Metrics carry the tool key without the tenant
 * part (tenants are unbounded and may be sensitive); `toolStates()`, the admin calls and the CLI show the full key.
 * Runs in the worker (Node).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Info } from '@temporalio/activity';
import type { Headers } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';

/**
 * Names the tenant an activity attempt calls its tool for (e.g. an API key id from the input or a header);
 * `undefined` for none. Never return a secret itself: the value becomes part of a key in the store and in the CLI.
 */
export type TenantOf = (info: Info, args: readonly unknown[], headers: Headers) => string | undefined;

/** Between a tool key and its tenant: a character a tool key or tenant id does not carry. */
export const TENANT_SEPARATOR = '|tenant=';

const current = new AsyncLocalStorage<string | undefined>();

/** The tool key of `toolKey` for `tenant` (the key itself when there is no tenant). */
export function tenantToolKey(toolKey: string, tenant: string | undefined): string {
  return tenant === undefined || tenant === '' ? toolKey : `${toolKey}${TENANT_SEPARATOR}${tenant}`;
}

/** Splits a scoped key into the tool key (what metrics and tool options use) and the tenant. */
export function splitToolKey(key: string): { readonly toolKey: string; readonly tenant?: string } {
  const at = key.indexOf(TENANT_SEPARATOR);
  return at < 0
    ? { toolKey: key }
    : { toolKey: key.slice(0, at), tenant: key.slice(at + TENANT_SEPARATOR.length) };
}

/** The tenant of the activity attempt running now (set by {@link TenantScopeActivityInboundInterceptor}). */
export function currentTenant(): string | undefined {
  return current.getStore();
}

/** Reads the attempt's tenant with `tenantOf` and keeps it for the governor registry while the attempt runs. */
export class TenantScopeActivityInboundInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly info: Info,
    private readonly tenantOf: TenantOf,
  ) {}

  execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    let tenant: string | undefined;
    try {
      const value = this.tenantOf(this.info, input.args, input.headers);
      tenant = typeof value === 'string' && value !== '' ? value : undefined;
    } catch {
      // A failing tenantOf must not fail the attempt: it counts against the tool's unscoped state.
      tenant = undefined;
    }
    return current.run(tenant, () => next(input));
  }
}
