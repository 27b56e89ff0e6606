package dev.affinity.router.routing;

import dev.affinity.model.Caller;
import dev.affinity.model.UsageReport;
import dev.affinity.model.config.Deployment;

import java.util.List;

/** What routing asks of the tenancy: which deployments a caller may reach, and what it spent. */
public interface Tenants {

  /** A gateway without virtual keys: every deployment for everyone, no spend to book. */
  Tenants NONE = new Tenants() {
    @Override
    public List<Deployment> reachable(Caller caller, String model, List<Deployment> deployments) {
      return deployments;
    }

    @Override
    public void spent(UsageReport report, double costUsd) {
    }
  };

  /**
   * The deployments of {@code model} this caller may be routed to: none when its key or team may not call the
   * model; those reserved to its team when it has any, else those not reserved to some team.
   */
  List<Deployment> reachable(Caller caller, String model, List<Deployment> deployments);

  /** A finished call and what it cost (USD): for the caller's budgets and the spend log. */
  void spent(UsageReport report, double costUsd);
}
