/** The member's vehicles (member-svc keeps them on the member; a change replaces the list). */
import { must, type components } from '@cheyou/api'
import { api } from '@/api'
import { useRequest } from '@/shell/useRequest'

export type Vehicle = components['schemas']['VehicleRead']
export type VehicleIn = components['schemas']['VehicleIn']

export function useVehicles(memberId: () => string | null) {
  const request = useRequest(async () => {
    const id = memberId()
    if (!id) return []
    return (await must(api.GET('/api/v1/members/{member_id}', { params: { path: { member_id: id } } }))).vehicles
  })
  async function save(vehicles: VehicleIn[]) {
    const id = memberId()
    if (!id) return
    const member = await must(
      api.PATCH('/api/v1/members/{member_id}', { params: { path: { member_id: id } }, body: { vehicles } }),
    )
    request.data.value = member.vehicles
  }
  return { ...request, save }
}

export function asInput(vehicle: Vehicle): VehicleIn {
  return { plate: vehicle.plate, vin: vehicle.vin, registered_on: vehicle.registered_on, kind: vehicle.kind }
}
