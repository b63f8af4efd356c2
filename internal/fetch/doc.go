// Package fetch is the only way snapshotter talks to the exchange. One
// Client holds the process's single *http.Client and a Budget; every request
// asks the Budget first, so no code path can spend weight the budget has
// not granted or send anything while the exchange has told us to stop.
//
// The Budget follows the exchange's rules: request weight is counted per
// calendar minute per IP; the used-weight header of each answer reports what
// the whole IP spent, other processes included; 429 means stop until
// Retry-After (or the next minute); 418 means the IP is banned until the time
// in the answer, and that ban is saved so a restarted process waits it out.
package fetch
