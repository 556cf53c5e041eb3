/** In-process counters, labelled by tenant; the observability issue exposes them to Prometheus. */
export class DeliveryCounters {
  private readonly values = new Map<string, number>();

  inc(name: "attempts" | "delivered" | "retries_scheduled" | "failed" | "destinations_disabled", labels: { tenant_id: string; outcome?: string }): void {
    const key = JSON.stringify([name, labels.tenant_id, labels.outcome ?? ""]);
    this.values.set(key, (this.values.get(key) ?? 0) + 1);
  }

  snapshot(): { name: string; tenant_id: string; outcome?: string; value: number }[] {
    return [...this.values].map(([key, value]) => {
      const [name, tenantId, outcome] = JSON.parse(key) as [string, string, string];
      return { name, tenant_id: tenantId, ...(outcome ? { outcome } : {}), value };
    });
  }
}
