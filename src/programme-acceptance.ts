// What happens when a referral is accepted into a programme, by the programme's kind. A kind's
// module adds its handler here when it arrives; a kind without one makes the person a member
// of the programme (programmes/service.ts `joinProgramme`).
import type { AcceptanceHandlers } from './modules/programmes/service.ts';
import { acceptIntoTimebank } from './modules/timebank/service.ts';
import { acceptIntoNetwork } from './modules/peer-network/service.ts';
import { acceptIntoHub } from './modules/caseload/service.ts';

export const acceptanceHandlers: AcceptanceHandlers = {
  // The person joins the time bank and starts its onboarding.
  timebank: acceptIntoTimebank,
  // The person is a member of the peer network from then on: never discharged.
  peer_network: acceptIntoNetwork,
  // The person is on the hub team's caseload: the team's, not one worker's.
  hub: acceptIntoHub,
};
