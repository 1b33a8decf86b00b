/** Time as a port: production reads the system clock, tests pass a fixed or stepping clock. */
export abstract class Clock {
  abstract now(): Date;
}
