// Package billing is the partner's side of the WeChat channels' bill (docs/B-h5-wechat-billing.md §6): keeping
// every BizToken and the liveness attempts pulled for it (method 1), and comparing them with
// the daily bill (method 2).
//
// The calls to the service are in the kyc package: kyc.DetectService.InfoEnhanced reads a
// journey's attempts and kyc.BillingService.FetchDay a day's bill. This package adds what is
// built over them:
//
//   - TokenStore keeps the tokens; MemoryStore is one in memory, for tests and single-process
//     services (a fleet implements TokenStore over its database);
//   - Sweeper pulls, until they are final, the tokens whose RedirectUrl never came, before the
//     service's 3-day retention ends;
//   - Reconcile compares what was saved with the bills, per day and per BizToken, and Report
//     says where they differ.
//
// Everything here holds BizTokens, Seqs and counts in its errors, logs and reports, never a
// name or an ID number; the saved details print redacted.
package billing
